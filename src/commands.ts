/** Every command id, once (they match package.json's `contributes.commands`). */
export const Commands = {
  chooseCompletionModel: 'sovereign.chooseCompletionModel',
  chooseChatModel: 'sovereign.chooseChatModel',
  showLog: 'sovereign.showLog',
  restartRuntime: 'sovereign.restartRuntime',
  openChat: 'sovereign.openChat',
} as const;
