import { synth } from './app';

synth(process.env.CDK8S_OUTDIR ?? 'dist');
