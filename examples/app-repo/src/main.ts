import { buildApp } from './app';

buildApp(process.env.CDK8S_OUTDIR ?? 'dist').app.synth();
