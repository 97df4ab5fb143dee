/**
 * Every command id, once. Each matches package.json (`contributes.commands`, or a keybinding for
 * the copy/cut pair); test/unit/commands.test.ts holds the two lists against each other.
 */
export const Commands = {
  // Models: one picker per role (presets, the models folder's files, then any GGUF file)
  selectCompletionModel: 'sovereign.selectCompletionModel',
  selectChatModel: 'sovereign.selectChatModel',
  selectEmbeddingModel: 'sovereign.selectEmbeddingModel',
  openModelsFolder: 'sovereign.openModelsFolder',
  // Runtime, status and the walkthrough
  getStarted: 'sovereign.getStarted',
  showLog: 'sovereign.showLog',
  restartRuntime: 'sovereign.restartRuntime',
  statusMenu: 'sovereign.statusMenu',
  // Completion
  pauseCompletions: 'sovereign.pauseCompletions',
  resumeCompletions: 'sovereign.resumeCompletions',
  triggerCompletion: 'sovereign.triggerCompletion',
  /** Bound to Ctrl+C / Ctrl+X in an editor: copies as usual and offers the text to the context ring. */
  copy: 'sovereign.copy',
  cut: 'sovereign.cut',
  // Chat
  openChat: 'sovereign.openChat',
  chatAboutFile: 'sovereign.chatAboutFile',
  askAboutSelection: 'sovereign.askAboutSelection',
  addFileToChat: 'sovereign.addFileToChat',
  newChat: 'sovereign.newChat',
  showChats: 'sovereign.showChats',
  acceptProposal: 'sovereign.acceptProposal',
  rejectProposal: 'sovereign.rejectProposal',
  /** VS Code's own Chat panel, in Ask mode with Sovereign's model and `@sovereign` typed in. */
  askInVsCodeChat: 'sovereign.askInVsCodeChat',
  // In-place edits
  editWithInstruction: 'sovereign.editWithInstruction',
  acceptEdit: 'sovereign.acceptEdit',
  rejectEdit: 'sovereign.rejectEdit',
  acceptEditHunk: 'sovereign.acceptEditHunk',
  rejectEditHunk: 'sovereign.rejectEditHunk',
  // Source Control
  /** The Source Control title's button: writes a commit message from the diff into the input box. */
  writeCommitMessage: 'sovereign.writeCommitMessage',
  stopCommitMessage: 'sovereign.stopCommitMessage',
  // Codebase index
  rebuildIndex: 'sovereign.rebuildIndex',
  showIndexedFiles: 'sovereign.showIndexedFiles',
  /** The index's status bar item while it scans: stops the scan. */
  cancelIndexing: 'sovereign.cancelIndexing',
  // Team server
  setServerApiKey: 'sovereign.setServerApiKey',
  clearServerApiKey: 'sovereign.clearServerApiKey',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];
