"""Jobs for idle labour on the database: matching labourers and vacancies (matching)."""
