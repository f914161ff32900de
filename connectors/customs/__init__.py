"""Customs (海关): administrative penalty decisions on IP-infringing goods (知罚字) and detentions."""
