export type LayoutRule = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i';
export interface LayoutViolation {
  path: string;
  rule: LayoutRule;
  detail: string;
}
export type RuleCheck = (path: string, text: string) => string[];
export const LAYOUT_RULES: Record<LayoutRule, string>;
export const MODULE_MAX_LINES: number;
export const SOURCE_FILE: RegExp;
export const GATEWAY: string;
export const RULE_CHECKS: Record<LayoutRule, RuleCheck>;
export function servicePath(path: string): { service: string; rest: string; dir: string; file: string } | null;
export function handlerRule(path: string, text: string): string[];
export function inboundMessageRule(path: string, text: string): string[];
export function workerRule(path: string, text?: string): string[];
export function repositoryPortRule(path: string, text: string): string[];
export function repositoryNamingRule(path: string, text: string): string[];
export function callerRule(path: string, text: string): string[];
export function e2eTestRule(path: string, text?: string): string[];
export function handWrittenMessagingRule(path: string, text: string): string[];
export function moduleSizeRule(path: string, text: string): string[];
export function stringLiterals(code: string): { value: string; start: number; end: number }[];
export function lineCount(text: string): number;
export function serviceLayoutViolations(service: string, files: { path: string; text: string }[]): LayoutViolation[];
export function formatViolation(v: LayoutViolation): string;
