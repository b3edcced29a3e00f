import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{Agent,ClientRequest,IncomingMessage,METHODS,OutgoingMessage,STATUS_CODES,Server,ServerResponse,_connectionListener,createServer,get,globalAgent,init_node_http,maxHeaderSize,node_http_default,request,setGlobalProxyFromEnv,setMaxIdleHTTPParsers,validateHeaderName,validateHeaderValue}from"./chunk-4KKQ3EC7.js";import"./chunk-CY6WDTSA.js";init_node_http();export{Agent,ClientRequest,IncomingMessage,METHODS,OutgoingMessage,STATUS_CODES,Server,ServerResponse,_connectionListener,createServer,node_http_default as default,get,globalAgent,maxHeaderSize,request,setGlobalProxyFromEnv,setMaxIdleHTTPParsers,validateHeaderName,validateHeaderValue};
