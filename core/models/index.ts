export { runBuild, runTestsOnly, resolveAsOf, ensureRawTables } from './runner.ts';
export type { BuildOptions, BuildResult, BuildEvent, ModelResult } from './runner.ts';
export type { DataTestResult } from './dataTests.ts';
export { loadProject, DEFAULT_PROJECT_DIR, ProjectError } from './project.ts';
export { buildGraph, selectNodes } from './dag.ts';
export { renderModel, TemplateError } from './render.ts';
export { dialectFor, duckdbDialect, bigqueryDialect } from './dialect/dialect.ts';
export type { CodeModel, CodeModelContext, Vars } from './types.ts';
export {
  checkVarValue,
  checkVars,
  describeDeclaration,
  loadVarDeclarations,
  resolveVars,
  VarError,
  VARS_FILE,
} from './vars.ts';
export type { VarDeclaration, VarDeclarations, VarLayer, VarProblem } from './vars.ts';
export type { DerivedContext, DerivedResult, DerivedTables } from './runner.ts';
