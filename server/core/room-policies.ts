// Two group chat choices that the server's settings, a room's configuration and the console's API all name. Here
// once, in a file that needs no Node, because the renderer type-checks the console's API types.

/** Who may see occupants' real JIDs: 'moderators' (semi-anonymous) or 'anyone' (non-anonymous). */
export type WhoisPolicy = 'moderators' | 'anyone';
/** Who may send private messages to occupants. */
export type PmPolicy = 'anyone' | 'participants' | 'moderators' | 'none';
