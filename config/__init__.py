"""Settings (environment, `.env`) and the cycle definitions (`cycles.yaml`)."""
