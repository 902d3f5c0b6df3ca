"""Screens of the programme's deadlines.

`shared`: names of kinds, repeats and answers, dates, the reminder rule, and the answers to
typed input that does not fit; `focal`: what a focal point sees (reminders, answers, help and
more time, their agency's list); `admin`: the coordinators' list, a deadline's details, edits,
and the requests that reach them; `creation`: the coordinators' new-deadline dialogue.
Each module declares the buttons its keyboards pack.
"""
