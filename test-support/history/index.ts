export * from "./history";
export * from "./jsonl";
export * from "./linearizability";
export * from "./locks";
export * from "./near-cache";
export * from "./grace";
export { renderOp, renderOps } from "./render";
