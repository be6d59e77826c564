require ["vacation"];
# rule:[Out of office]
if true
{
	vacation :days 7 :addresses ["bob@example.org"] :subject "Re: ${subject}" :from "Bob <bob@example.org>" "I am on holiday.";
}
