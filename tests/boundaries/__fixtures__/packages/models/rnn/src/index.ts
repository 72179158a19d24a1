export const rnnModel = 'rnn';
