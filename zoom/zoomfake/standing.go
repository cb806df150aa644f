package zoomfake

// SetUserCannotHost takes hosting away from a user (or gives it back).
func (s *Server) SetUserCannotHost(email string, cannot bool) {
	s.setStanding(email, func(u *User) { u.CannotHost = cannot })
}

// SetUserInactive deactivates a user (or activates them again).
func (s *Server) SetUserInactive(email string, inactive bool) {
	s.setStanding(email, func(u *User) { u.Inactive = inactive })
}

func (s *Server) setStanding(email string, f func(*User)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.lookupUser(email); ok {
		st := s.standing[u.ID]
		f(&st)
		s.standing[u.ID] = st
	}
}

// standingOf is a user's CannotHost and Inactive as they are now.
func (s *Server) standingOf(id string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.standing[id]
}
