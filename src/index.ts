export * from "./backend"; export * from "./mlp"; export * from "./errors";
