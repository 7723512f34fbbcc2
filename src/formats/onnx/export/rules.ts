/**
 * The exporter's table: every op record's name -> the rule that writes it as ONNX nodes.
 * It is typed over the registry (`RuleTable`), so adding an op without a rule here does
 * not compile; ops with no ONNX form have an `unsupported` rule naming why.
 */
import type { RuleTable } from "./emit.ts";
import { binaryRules, miscElementwiseRules, unaryRules } from "./rules-elementwise.ts";
import { nnRules, resampleRules } from "./rules-nn.ts";
import { poolRules } from "./rules-pool.ts";
import { unsupported } from "./emit.ts";
import { shapeRules } from "./rules-shape.ts";

export const rules: RuleTable = {
  ...unaryRules,
  ...binaryRules,
  ...miscElementwiseRules,
  ...shapeRules,
  ...nnRules,
  ...poolRules,
  ...resampleRules,
  adamStep: unsupported("an optimizer update, not part of an inference graph"),
};
