export type UserInfo = { id: number, username: string, email: string, };
