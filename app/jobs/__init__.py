"""Jobs for idle labour: vacancies shared in village groups, interest shown on a vacancy's public page, and the
return-to-work statistics of a region."""
