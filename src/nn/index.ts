/** nn: modules, layers, functional forms, initializers. */
export { Module, pytorchName, type StateDict, type LoadStateDictResult, type RemovableHandle, type ForwardHook, type ForwardPreHook } from "./module.ts";
export { Parameter, isParameter } from "./parameter.ts";
export { Sequential, ModuleList, ModuleDict } from "./containers.ts";
export * from "./layers/index.ts";
export * as functional from "./functional/index.ts";
export * as init from "./init.ts";
export * as utils from "./utils.ts";
export { PackedSequence } from "./functional/rnn-packing.ts";
