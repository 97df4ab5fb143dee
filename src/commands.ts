/** Every command id, once (they match package.json's `contributes.commands`). */
export const Commands = {
  chooseCompletionModel: 'sovereign.chooseCompletionModel',
  chooseChatModel: 'sovereign.chooseChatModel',
  showLog: 'sovereign.showLog',
  restartRuntime: 'sovereign.restartRuntime',
  openChat: 'sovereign.openChat',
  statusMenu: 'sovereign.statusMenu',
  pauseCompletions: 'sovereign.pauseCompletions',
  resumeCompletions: 'sovereign.resumeCompletions',
  triggerCompletion: 'sovereign.triggerCompletion',
} as const;
