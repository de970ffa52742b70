// An ES-module consumer: imports seqcore and trains (train_loop.cjs).
import * as seqcore from 'seqcore';
import train from './train_loop.cjs';

train(seqcore, 'esm');
