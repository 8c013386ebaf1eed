export type SignInRequest = { server: string, apiKey: string, username: string, email: string, password: string, };
