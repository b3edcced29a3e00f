// The parts of the AWS SDK the S3 code uses. Only client.ts's loadS3Sdk() imports this module, dynamically: the bundles
// keep the SDK (~1.5 MB with its dependencies) in chunks an action loads on its first request, not at its start.
// (A module of our own rather than import('@aws-sdk/client-s3'): the bundler gives a dynamically imported CommonJS
// package only a default export, and this module's named exports are the same under the bundler and under Node.)
export {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
export { Upload } from '@aws-sdk/lib-storage';
