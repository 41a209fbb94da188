export { startSampleSmartApp, type SampleSmartAppOptions, type RunningSampleSmartApp } from './sample-app.server';
