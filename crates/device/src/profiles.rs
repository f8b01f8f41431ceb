pub struct Profiles;
