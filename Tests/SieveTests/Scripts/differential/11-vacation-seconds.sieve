require ["vacation", "vacation-seconds"];
vacation :seconds 7200 :from "bob@example.org" :addresses ["bob@example.org", "robert@example.org"] "Back soon.";
