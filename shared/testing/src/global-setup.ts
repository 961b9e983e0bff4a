// Placeholder until the infrastructure harness lands: starts nothing.
export default async function globalSetup(): Promise<void> {}
