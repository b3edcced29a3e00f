import { createRequire as __ciOptCreateRequire } from 'node:module';
import { fileURLToPath as __ciOptFileURLToPath } from 'node:url';
import { dirname as __ciOptPathDirname } from 'node:path';
const require = __ciOptCreateRequire(import.meta.url);
const __ciOptFilename = __ciOptFileURLToPath(import.meta.url);
const __ciOptDirname = __ciOptPathDirname(__ciOptFilename);
import{mdText,mermaidLabel}from"./chunk-Y6R66KAF.js";var STEP_SUMMARY_LIMIT_BYTES=1024*1024,SAFE_LIMIT_BYTES=STEP_SUMMARY_LIMIT_BYTES-16*1024;function escapeCell(text){return mdText(text,1e3)}function markdownCell(markdown){return{markdown}}function markdownTable(headers,rows,align){let alignment=headers.map((_,column)=>{let chosen=align?.[column]??(rows.length>0&&rows.every(row=>typeof row[column]=="number")?"right":"left");return chosen==="right"?"---:":chosen==="center"?":---:":"---"}),text=cell=>cell==null?"":typeof cell=="object"?cell.markdown:escapeCell(String(cell)),line=cells=>`| ${cells.map(text).join(" | ")} |`;return[line(headers),`| ${alignment.join(" | ")} |`,...rows.map(line)].join(`
`)}function details(summaryLine,body,open=!1){return`<details${open?" open":""}><summary>${escapeCell(summaryLine)}</summary>

${body}

</details>`}function mermaid(diagram){return`\`\`\`mermaid
${diagram}
\`\`\``}function mermaidGantt(title,tasks){let lines=["gantt",`  title ${mermaidLabel(title,80)}`,"  dateFormat x","  axisFormat %M:%S"],section;return tasks.forEach((task,index)=>{task.section!==void 0&&task.section!==section&&(section=task.section,lines.push(`  section ${mermaidLabel(task.section)||"_"}`));let name=mermaidLabel(task.name)||"_",start=Number.isFinite(task.startMs)?Math.round(task.startMs):0,duration=Number.isFinite(task.durationMs)?Math.max(1,Math.round(task.durationMs)):1;lines.push(`  ${name} :t${index}, ${start}, ${duration}ms`)}),mermaid(lines.join(`
`))}function formatDuration(ms){if(!Number.isFinite(ms))return"—";if(ms<1e3)return`${Math.round(ms)} ms`;if(ms<6e4)return`${(ms/1e3).toFixed(1)} s`;let minutes=Math.floor(ms/6e4),seconds=Math.round(ms%6e4/1e3);return`${minutes}m ${String(seconds).padStart(2,"0")}s`}function fitSummary(sections,limitBytes=SAFE_LIMIT_BYTES){let kept=[],size=0,dropped=0;for(let section of sections){let bytes=Buffer.byteLength(section,"utf8")+2;if(size+bytes>limitBytes){dropped++;continue}kept.push(section),size+=bytes}return dropped>0&&kept.push(`_${dropped} section(s) left out to stay under GitHub's 1 MiB step-summary limit._`),kept.join(`

`)}export{markdownCell,markdownTable,details,mermaid,mermaidGantt,formatDuration,fitSummary};
