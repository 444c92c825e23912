pub mod spin_app;
