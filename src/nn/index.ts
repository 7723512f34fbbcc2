/** nn: modules, layers, functional forms, initializers. */
export { Module, pytorchName, type StateDict, type LoadStateDictResult, type RemovableHandle, type ForwardHook, type ForwardPreHook } from "./module.ts";
export { Parameter, isParameter } from "./parameter.ts";
export { Sequential, ModuleList, ModuleDict } from "./containers.ts";
