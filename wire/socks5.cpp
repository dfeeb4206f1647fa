// Placeholder for issue 4 work in progress.
