"""What is kept between requests, and for how long."""
