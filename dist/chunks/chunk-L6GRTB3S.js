import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{__require}from"./chunk-CY6WDTSA.js";var{existsSync}=__require("node:fs"),{dirname,join}=__require("node:path"),real;function load(){if(real)return real;for(let dir of[__ciOptDirname,dirname(__ciOptDirname),dirname(dirname(__ciOptDirname))]){let candidate=join(dir,"chunks","fast-xml-parser.cjs");if(existsSync(candidate))return real=__require(candidate)}throw new Error(`chunks/fast-xml-parser.cjs is missing above ${__ciOptDirname}: the build is incomplete (npm run bundle)`)}var lazy=name=>{let proxy=new Proxy(function(){},{apply:(_target,self,args)=>Reflect.apply(load()[name],self,args),construct:(_target,args,newTarget)=>Reflect.construct(load()[name],args,newTarget===proxy?load()[name]:newTarget),get:(_target,key)=>{let own=load()[name],value=Reflect.get(own,key);return typeof value=="function"&&key!=="prototype"&&key!=="constructor"?value.bind(own):value}});return proxy},XMLBuilder=lazy("XMLBuilder"),XMLParser=lazy("XMLParser");export{XMLParser};
