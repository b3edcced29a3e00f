import{perfCommentCommand}from"./chunk-6GYYI265.js";import"./chunk-HZJPNDDL.js";import"./chunk-7KBNODNU.js";import"./chunk-QQFMQDA4.js";import"./chunk-CY6WDTSA.js";export{perfCommentCommand};
