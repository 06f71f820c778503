"""Jobs for idle labour on the database: matching labourers and vacancies, vacancies shared in village groups,
interest shown on a vacancy's public page, and the return-to-work statistics of a region."""
