export type Remembered = { server: string, username: string, email: string, };
