// A CommonJS consumer: require() of seqcore's ES modules (Node >= 20.19), then the same training.
const train = require('./train_loop.cjs');

train(require('seqcore'), 'cjs');
