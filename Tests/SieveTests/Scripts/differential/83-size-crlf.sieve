require "fileinto";
if size :over 499 { fileinto "OverLF"; }
if size :over 510 { fileinto "Over510"; }
if size :under 362 { fileinto "Under362"; }
if size :over 355 { fileinto "Over355"; }
