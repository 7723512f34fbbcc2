/**
 * The `concord` command: inspect checkpoint and model files, run ONNX models, convert
 * between checkpoint formats. `runCli(argv)` returns the exit code, so tests run it in-process.
 */
import { Command, CommanderError } from "commander";
import { ConcordError } from "../core/errors.ts";
import { inspectCommand } from "./inspect.ts";
import { runCommand } from "./run.ts";
import { convertCommand } from "./convert.ts";
import { processIo, type CliIo } from "./io.ts";

function program(io: CliIo): Command {
  const cli = new Command("concord")
    .description("concord: inspect, run and convert model and checkpoint files")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  cli
    .command("inspect")
    .description("list a file's tensors (name, dtype, shape), parameter count and metadata: .pt/.pth, .safetensors, .npy/.npz, .gguf, .onnx")
    .argument("<file>")
    .option("--json", "print the same as JSON")
    .option("--limit <n>", "tensors to list in text form", (v) => Number.parseInt(v, 10), 50)
    .action((file: string, opts: { json?: boolean; limit: number }) => inspectCommand(file, opts, io));
  cli
    .command("run")
    .description("run an ONNX model on inputs from .npy or TensorProto .pb files; writes one .npy per output")
    .argument("<model>")
    .option("--input <name=file>", "a model input (repeat for several)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .requiredOption("--output-dir <dir>", "where the outputs go")
    .action((model: string, opts: { input: string[]; outputDir: string }) => runCommand(model, opts, io));
  cli
    .command("convert")
    .description("convert a checkpoint between .pt/.pth, .safetensors and .npz (by the output's extension), or to .onnx with --model")
    .argument("<input>")
    .argument("<output>")
    .option("--model <name>", "a zoo architecture (resnet18, mobilenet_v2, mnist_cnn, ...) to load the checkpoint into and export to ONNX")
    .option("--input-shape <dims>", "the example input for the export, e.g. 1,3,224,224")
    .option("--opset <n>", "ONNX opset (13-21, default 17)", (v) => Number.parseInt(v, 10))
    .action((input: string, output: string, opts: { model?: string; inputShape?: string; opset?: number }) => convertCommand(input, output, opts, io));
  return cli;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    await program(io).parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ConcordError) {
      io.err(`concord: ${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === "string" && err.path) {
      io.err(`concord: ${err.path}: ${err.code === "ENOENT" ? "no such file" : err.message}\n`);
      return 1;
    }
    io.err(`concord: unexpected error: ${err?.stack ?? String(e)}\n`);
    return 2;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*[\\/]/, ""));
if (invokedDirectly) process.exitCode = await runCli(process.argv.slice(2));
