require ["variables", "imap4flags"];
set "f" "";
addflag "f" "$Tag1 $Tag2";
removeflag "f" "$Tag1";
setflag "${f}";
