import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{CacheIndex,DEFAULT_RETRY,DOWNLOAD_DEFAULTS,ENTRY_SCHEMA,IntegrityError,S3ObjectStore,S3_DEFAULTS,UPLOAD_DEFAULTS,cacheVersion,createS3Client,describeS3Error,downloadRanges,isAbort,isNoSuchKey,isNotImplemented,isPreconditionFailed,isTransient,normalisePrefix,openS3Store,parseEntry,parseS3Url,pruneCache,resolveS3Settings,s3ErrorCode,s3Status,uploadStream,validateKey,withRetries}from"./chunk-YWLEYRUL.js";import"./chunk-4UX44O7K.js";import"./chunk-CY6WDTSA.js";export{CacheIndex,DEFAULT_RETRY,DOWNLOAD_DEFAULTS,ENTRY_SCHEMA,IntegrityError,S3ObjectStore,S3_DEFAULTS,UPLOAD_DEFAULTS,cacheVersion,createS3Client,describeS3Error,downloadRanges,isAbort,isNoSuchKey,isNotImplemented,isPreconditionFailed,isTransient,normalisePrefix,openS3Store,parseEntry,parseS3Url,pruneCache,resolveS3Settings,s3ErrorCode,s3Status,uploadStream,validateKey,withRetries};
