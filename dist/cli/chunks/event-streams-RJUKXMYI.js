#!/usr/bin/env node
import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{EventStreamCodec,EventStreamMarshaller,EventStreamMarshaller2,EventStreamSerde,HeaderMarshaller,Int64,MessageDecoderStream,MessageEncoderStream,SmithyMessageDecoderStream,SmithyMessageEncoderStream,eventStreamSerdeProvider,eventStreamSerdeProvider2,getChunkedStream,getMessageUnmarshaller,getUnmarshalledStream,init_event_streams,iterableToReadableStream,readableStreamToIterable,resolveEventStreamSerdeConfig}from"./chunk-AOK7BYLO.js";import"./chunk-SLNGF4CM.js";init_event_streams();export{EventStreamCodec,EventStreamMarshaller2 as EventStreamMarshaller,EventStreamSerde,HeaderMarshaller,Int64,MessageDecoderStream,MessageEncoderStream,SmithyMessageDecoderStream,SmithyMessageEncoderStream,EventStreamMarshaller as UniversalEventStreamMarshaller,eventStreamSerdeProvider2 as eventStreamSerdeProvider,getChunkedStream,getMessageUnmarshaller,getUnmarshalledStream,iterableToReadableStream,readableStreamToIterable,resolveEventStreamSerdeConfig,eventStreamSerdeProvider as universalEventStreamSerdeProvider};
