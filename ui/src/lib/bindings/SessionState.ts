import type { Remembered } from "./Remembered";
import type { UserInfo } from "./UserInfo";

export type SessionState = { "status": "signedOut", remembered: Remembered, } | { "status": "signedIn", server: string, user: UserInfo, apiKeyHint: string, };
