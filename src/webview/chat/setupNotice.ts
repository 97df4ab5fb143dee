/**
 * Before any chat model is configured the view says what is missing and offers the same picker as
 * "Sovereign: Select Chat Model…", rather than a blank pane that fails on the first question.
 */
export function renderSetupNotice(section: HTMLElement, configured: boolean, choose: () => void): void {
  section.hidden = configured;
  if (configured || section.childElementCount) return;
  const heading = document.createElement('h2');
  heading.textContent = 'No chat model yet';
  const text = document.createElement('p');
  text.textContent =
    'Chat answers with a local instruct model, a GGUF file that runs on this machine: nothing you ask leaves it. Pick one from the list (it marks what fits this machine) or choose a GGUF file you have.';
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'chooseChatModel';
  button.textContent = 'Choose chat model…';
  button.addEventListener('click', choose);
  section.append(heading, text, button);
}
