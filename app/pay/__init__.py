"""Pay: the pay-period workflow of a site's month, payments and the bank's answers, balances, household
income, and the payroll sheets and period reports people read."""
