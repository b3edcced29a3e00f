#!/usr/bin/env node
import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{CacheIndex,DEFAULT_RETRY,DOWNLOAD_DEFAULTS,ENTRY_SCHEMA,IntegrityError,S3ObjectStore,S3_DEFAULTS,StoreUnresponsiveError,UPLOAD_DEFAULTS,boundedAgents,cacheVersion,createS3Client,describeS3Error,downloadRanges,isAbort,isNoSuchKey,isNotImplemented,isPreconditionFailed,isTransient,normalisePrefix,openS3Store,openScopedS3Stores,parseEntry,parseS3Url,parseScopeMode,pruneCache,redactSecrets,redactUrl,resolveS3Settings,s3ErrorCode,s3Status,scopeOfRef,scopedPrefix,scopesFromEnvironment,storePrefixes,storeScopes,uploadStream,validateKey,withRetries}from"./chunk-XKB75GZJ.js";import"./chunk-AOK7BYLO.js";import"./chunk-SLNGF4CM.js";export{CacheIndex,DEFAULT_RETRY,DOWNLOAD_DEFAULTS,ENTRY_SCHEMA,IntegrityError,S3ObjectStore,S3_DEFAULTS,StoreUnresponsiveError,UPLOAD_DEFAULTS,boundedAgents,cacheVersion,createS3Client,describeS3Error,downloadRanges,isAbort,isNoSuchKey,isNotImplemented,isPreconditionFailed,isTransient,normalisePrefix,openS3Store,openScopedS3Stores,parseEntry,parseS3Url,parseScopeMode,pruneCache,redactSecrets,redactUrl,resolveS3Settings,s3ErrorCode,s3Status,scopeOfRef,scopedPrefix,scopesFromEnvironment,storePrefixes,storeScopes,uploadStream,validateKey,withRetries};
