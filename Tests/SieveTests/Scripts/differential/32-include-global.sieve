require ["include", "variables"];
global "target";
set "target" "Global";
include :global "glob";
