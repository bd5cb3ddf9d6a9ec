"""Cases, family members, involvements, consents and disclosures (see the cases issue)."""
