export * from "./history";
export * from "./jsonl";
export * from "./linearizability";
export { renderOp, renderOps } from "./render";
