export type Contact = { name: string, email: string | null, phone: string | null, role: string | null, };
