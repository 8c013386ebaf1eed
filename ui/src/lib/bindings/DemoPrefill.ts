export type DemoPrefill = { server: string, apiKey: string, username: string, email: string, password: string, };
