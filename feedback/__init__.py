"""Citizen feedback: the public satisfaction survey (IKM, PermenPANRB 14/2017) and its use in appraisals."""
