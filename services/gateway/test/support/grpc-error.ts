/** A gRPC ServiceError look-alike, as @grpc/grpc-js rejects with. */
export function grpcError(code: number, details: string, errorCode?: string, fieldErrors?: { field: string; message: string }[]): Error {
  const md = new Map<string, string[]>();
  if (errorCode) md.set('x-error-code', [errorCode]);
  if (fieldErrors) md.set('x-field-errors', [JSON.stringify(fieldErrors)]);
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: { get: (k: string) => md.get(k) ?? [] } });
}
